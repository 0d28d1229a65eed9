from kbtools.cli import main

raise SystemExit(main())
