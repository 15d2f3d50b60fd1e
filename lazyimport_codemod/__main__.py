from lazyimport_codemod.launcher import main

main()
