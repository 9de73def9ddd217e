from quotecorpus.cli import main

main()
