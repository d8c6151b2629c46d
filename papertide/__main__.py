from papertide.cli import main

main()
