import KLPCommandLine

KLPCheck.runAsProcess(Array(CommandLine.arguments.dropFirst()))
