from verificateur.cli import main

main()
