package main

import (
	"bytes"
	"io"
	"testing"
)

func TestTheGeneratorYieldsExactlyItsSizeAndTheSameBytesEachTime(t *testing.T) {
	a, err := io.ReadAll(newGenerator(3<<20 + 5))
	if err != nil || len(a) != 3<<20+5 {
		t.Fatalf("read %d bytes (%v), want %d", len(a), err, 3<<20+5)
	}
	b, _ := io.ReadAll(newGenerator(3<<20 + 5))
	if !bytes.Equal(a, b) || bytes.Equal(a[:1<<20], a[1<<20:2<<20]) {
		t.Fatal("the generator is not a fixed pseudo-random stream")
	}
}
