"""How ccxt.pro's class for each exchange family is pointed at another server (``--endpoint``): one module per family with ``point(exchange, endpoint)``."""
