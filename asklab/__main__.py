from asklab.cli import main

raise SystemExit(main())
