from lazyimport_codemod.cli.entry import main

main()
