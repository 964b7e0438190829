package main

import (
	"flag"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// runServer serves the standard gRPC health service, which answers without generated code of
// our own; the client tells servers apart by the peer address of each call.
func runServer(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0: any free port)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := grpc.NewServer()
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(srv, hs)

	ctx, stop := stopContext()
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Stop()
	}()
	emit("listening", map[string]interface{}{"addr": lis.Addr().String()})
	if err := srv.Serve(lis); err != nil && ctx.Err() == nil {
		return err
	}
	emit("stopped", nil)
	return nil
}
