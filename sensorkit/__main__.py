from sensorkit.cli import main

main()
