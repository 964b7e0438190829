package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/clientv3/naming/endpoints"
	"go.uber.org/zap"
)

var stdoutMu sync.Mutex

// emit prints one JSON line on stdout; lines from several goroutines never interleave.
func emit(event string, fields map[string]interface{}) {
	line := map[string]interface{}{"event": event}
	for k, v := range fields {
		line[k] = v
	}
	b, err := json.Marshal(line)
	if err != nil {
		b, _ = json.Marshal(map[string]interface{}{"event": "error", "error": err.Error()})
	}
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	os.Stdout.Write(append(b, '\n'))
}

// stopContext is cancelled on SIGTERM or SIGINT, so every mode can stop cleanly and exit 0.
func stopContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
}

type etcdFlags struct {
	endpoints *string
	target    *string
}

func addEtcdFlags(fs *flag.FlagSet) etcdFlags {
	return etcdFlags{
		endpoints: fs.String("endpoints", "http://127.0.0.1:2379", "comma-separated etcd client URLs"),
		target:    fs.String("target", "services/greeter", "endpoints target: <prefix>/<service>"),
	}
}

// client connects to etcd; its logger only speaks for warnings, which the tests read on stderr.
func (f etcdFlags) client() (*clientv3.Client, error) {
	logConfig := zap.NewProductionConfig()
	logConfig.Level = zap.NewAtomicLevelAt(zap.WarnLevel)
	logConfig.OutputPaths = []string{"stderr"}
	logConfig.ErrorOutputPaths = []string{"stderr"}
	return clientv3.New(clientv3.Config{
		Endpoints:   strings.Split(*f.endpoints, ","),
		DialTimeout: 5 * time.Second,
		LogConfig:   &logConfig,
	})
}

// manager is etcd's endpoints.Manager for the target, on a client of its own; call closeClient when done.
func (f etcdFlags) manager() (em endpoints.Manager, closeClient func(), err error) {
	cli, err := f.client()
	if err != nil {
		return nil, nil, err
	}
	em, err = endpoints.NewManager(cli, *f.target)
	if err != nil {
		cli.Close()
		return nil, nil, err
	}
	return em, func() { cli.Close() }, nil
}
