import Foundation
import LeaseCLI

exit(LeaseSimCLI.main(Array(CommandLine.arguments.dropFirst())))
