from lrl.cli import main

raise SystemExit(main())
