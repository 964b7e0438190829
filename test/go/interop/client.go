package main

import (
	"context"
	"flag"
	"time"

	"go.etcd.io/etcd/clientv3/naming/resolver"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
)

// runClient is what a Go service consuming rollcall registrations does: dial
// etcd:///<target> with etcd's own resolver and round_robin, then call. etcd's resolver hands
// each value's Metadata to grpc-go, which is where a JSON-object Metadata panics.
func runClient(args []string) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	etcdF := addEtcdFlags(fs)
	interval := fs.Duration("interval", 20*time.Millisecond, "pause between calls")
	callTimeout := fs.Duration("call-timeout", time.Second, "deadline of each call")
	authority := fs.String("authority", "", "the :authority to send (default: grpc-go's, the target's path, e.g. services/greeter)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cli, err := etcdF.client()
	if err != nil {
		return err
	}
	defer cli.Close()
	builder, err := resolver.NewBuilder(cli)
	if err != nil {
		return err
	}
	ctx, stop := stopContext()
	defer stop()
	options := []grpc.DialOption{
		grpc.WithInsecure(),
		grpc.WithResolvers(builder),
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig":[{"round_robin":{}}]}`),
	}
	if *authority != "" {
		options = append(options, grpc.WithAuthority(*authority))
	}
	conn, err := grpc.DialContext(ctx, "etcd:///"+*etcdF.target, options...)
	if err != nil {
		return err
	}
	defer conn.Close()
	emit("dialed", map[string]interface{}{"target": "etcd:///" + *etcdF.target})

	health := healthpb.NewHealthClient(conn)
	for ctx.Err() == nil {
		callCtx, cancel := context.WithTimeout(ctx, *callTimeout)
		var p peer.Peer
		_, err := health.Check(callCtx, &healthpb.HealthCheckRequest{}, grpc.Peer(&p))
		cancel()
		switch {
		case ctx.Err() != nil:
		case err != nil:
			emit("error", map[string]interface{}{"error": err.Error()})
		default:
			emit("call", map[string]interface{}{"peer": p.Addr.String()})
		}
		select {
		case <-ctx.Done():
		case <-time.After(*interval):
		}
	}
	emit("stopped", nil)
	return nil
}
