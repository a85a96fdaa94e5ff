from sanctrace.cli.app import main

main()
