"""The pure core: events in, outputs out. No I/O, no asyncio, no clock, no UI imports."""
