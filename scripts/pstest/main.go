// Google's Pub/Sub fake (cloud.google.com/go/pubsub/pstest, from Debian's
// golang-google-cloud-dev) on 127.0.0.1 and a free port; prints PUBSUB_EMULATOR_HOST=host:port
// once it serves, and stops on SIGTERM. It speaks publish, pull and ack over gRPC (no push).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/pstest"
)

func main() {
	srv := pstest.NewServer()
	fmt.Printf("PUBSUB_EMULATOR_HOST=%s\n", srv.Addr)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	srv.Close()
}
