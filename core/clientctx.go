package core

import (
	"cmp"
	"slices"
	"strings"
)

// contexts holds each client's causal context per key, sorted by client
// and key: a handful in a schedule search, where every state that
// acknowledges a put copies it (a slice copies for much less than a map),
// and a digest walks it in order.
type contexts []clientContext

type clientContext struct {
	k   clientKey
	ctx causal
}

func compareClientKeys(a, b clientKey) int {
	return cmp.Or(cmp.Compare(a.client, b.client), strings.Compare(a.key, b.key))
}

func (l contexts) find(k clientKey) (int, bool) {
	return slices.BinarySearchFunc(l, k, func(e clientContext, k clientKey) int { return compareClientKeys(e.k, k) })
}

// get is k's context (none: the zero causal).
func (l contexts) get(k clientKey) causal {
	if i, ok := l.find(k); ok {
		return l[i].ctx
	}
	return causal{}
}

// set writes k's context into l, which the caller owns.
func (l contexts) set(k clientKey, ctx causal) contexts {
	i, ok := l.find(k)
	if ok {
		l[i].ctx = ctx
		return l
	}
	return slices.Insert(l, i, clientContext{k, ctx})
}
