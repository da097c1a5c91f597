// Command sim runs Ringlab's simulations without a display, for instructors
// and scripts.
//
//	sim movement [flags]   keys moved by a membership change, hash-modulo against the ring
//	sim balance [flags]    per-node load spread of the ring, averaged over seeds
//	sim run [flags]        a whole simulated cluster under a workload and faults
//	sim sweep -experiment NAME [knobs] [-json | -csv | -out DIR]
//	                       an experiment's sweep, its tables beside the predictions
//	sim sweep -list        the experiments with their knobs, defaults and ranges
//	sim replay -link '#v=1&...' | -file run.json [-until T] [-events F] [-history F]
//	                       a run the lab shared, with the lab's state summary and digest
//	sim explore -script S [flags]
//	                       every schedule of a small scenario, searched for the
//	                       shortest one that breaks a property
//
// Each prints a readable summary, or with -json exactly one JSON object on
// standard output (sweep also writes CSV, or files with -out). `sim <command> -help` lists a command's flags. Invalid
// flags exit with status 2 and one line on standard error saying what is
// wrong and what is allowed; a failure while running exits with status 1.
// sim run exits with status 3, after printing its report, when the cluster
// did not converge within -settle-ticks (its lost-write count is then
// provisional).
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
