// The objects kubectl would apply from each file given, as JSON lines: {"file", "objects"} or {"file", "error"}.
// Mirrors kubectl's resource.StreamVisitor: NewYAMLOrJSONDecoder(file, 4096), each document decoded as raw JSON,
// empty and null documents skipped. Written for cdk8s-hardened's tests; the decoder is apimachinery's (SOURCES.txt).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	kdec "kdec"
)

type result struct {
	File    string                   `json:"file"`
	Objects []map[string]interface{} `json:"objects"`
	Error   string                   `json:"error,omitempty"`
}

func read(path string) result {
	r := result{File: path, Objects: []map[string]interface{}{}}
	f, err := os.Open(path)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer f.Close()
	d := kdec.NewYAMLOrJSONDecoder(f, 4096)
	for {
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			if err != io.EOF {
				r.Error = err.Error()
			}
			return r
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		var object map[string]interface{}
		if err := json.Unmarshal(raw, &object); err != nil {
			r.Error = "not an object: " + err.Error()
			return r
		}
		r.Objects = append(r.Objects, object)
	}
}

func main() {
	out := json.NewEncoder(os.Stdout)
	for _, path := range os.Args[1:] {
		if err := out.Encode(read(path)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
