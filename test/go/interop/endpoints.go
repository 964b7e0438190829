package main

import (
	"encoding/json"
	"errors"
	"flag"
	"sort"

	"go.etcd.io/etcd/clientv3/naming/endpoints"
)

// The endpoints.Manager modes: what a Go service that lists, watches or registers endpoints
// itself sees of (and writes next to) rollcall's values. Metadata is printed as Go decoded it,
// so a JSON string stays a string in the output.

func endpointJSON(key string, ep endpoints.Endpoint) map[string]interface{} {
	return map[string]interface{}{"key": key, "addr": ep.Addr, "metadata": ep.Metadata}
}

func runList(args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	etcdF := addEtcdFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	em, closeClient, err := etcdF.manager()
	if err != nil {
		return err
	}
	defer closeClient()
	ctx, stop := stopContext()
	defer stop()
	eps, err := em.List(ctx)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(eps))
	for key := range eps {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	list := make([]map[string]interface{}, 0, len(keys))
	for _, key := range keys {
		list = append(list, endpointJSON(key, eps[key]))
	}
	emit("list", map[string]interface{}{"endpoints": list})
	return nil
}

func runWatch(args []string) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	etcdF := addEtcdFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	em, closeClient, err := etcdF.manager()
	if err != nil {
		return err
	}
	defer closeClient()
	ctx, stop := stopContext()
	defer stop()
	wch, err := em.NewWatchChannel(ctx)
	if err != nil {
		return err
	}
	emit("watching", map[string]interface{}{"target": *etcdF.target})
	for ups := range wch {
		for _, up := range ups {
			line := endpointJSON(up.Key, up.Endpoint)
			line["op"] = map[endpoints.Operation]string{endpoints.Add: "add", endpoints.Delete: "delete"}[up.Op]
			emit("update", line)
		}
	}
	emit("stopped", nil)
	return nil
}

func runAdd(args []string) error {
	fs := flag.NewFlagSet("add", flag.ContinueOnError)
	etcdF := addEtcdFlags(fs)
	key := fs.String("key", "", "full key, under <target>/")
	addr := fs.String("addr", "", "endpoint address")
	metadataJSON := fs.String("metadata", "null", "Metadata as JSON: null, an object, a string...")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *key == "" || *addr == "" {
		return errors.New("--key and --addr are required")
	}
	var metadata interface{}
	if err := json.Unmarshal([]byte(*metadataJSON), &metadata); err != nil {
		return err
	}
	em, closeClient, err := etcdF.manager()
	if err != nil {
		return err
	}
	defer closeClient()
	ctx, stop := stopContext()
	defer stop()
	if err := em.AddEndpoint(ctx, *key, endpoints.Endpoint{Addr: *addr, Metadata: metadata}); err != nil {
		return err
	}
	emit("added", map[string]interface{}{"key": *key})
	return nil
}
