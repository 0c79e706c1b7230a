from dom.cli import main

raise SystemExit(main())
