import Foundation
import KLPCommandLine

exit(KLPCheck.main(Array(CommandLine.arguments.dropFirst())))
