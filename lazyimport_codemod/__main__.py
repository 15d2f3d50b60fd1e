from lazyimport_codemod.cli import main

raise SystemExit(main())
