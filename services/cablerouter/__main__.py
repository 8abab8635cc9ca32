from cablerouter.cli import main

raise SystemExit(main())
