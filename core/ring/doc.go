// Package ring places keys on physical nodes: a consistent-hash ring with
// virtual nodes and weights, the naive hash-modulo placement it replaces, and
// the measurements the lab draws from both (each node's share of the ring and
// of a key sample, the keys that change owner when membership changes, and
// load statistics).
//
// The ring lives in the 64-bit space of xxhash. A physical node of weight w
// is placed at max(1, round(w*vnodesPerWeight)) points, each hashed from a
// derived label such as "n3#17" (node n3, its virtual node 17). A key belongs
// to the first point at or after its hash walking clockwise, wrapping from
// the top of the space back to zero. Its preference list, the N physical
// nodes that keep its replicas, continues that walk and skips points whose
// node is already chosen.
//
// Everything here is deterministic: the same calls give the same ring on
// every platform, points with equal hashes are ordered by node and then by
// virtual-node index, and the measurement helpers draw every random choice
// from a generator seeded by their caller.
package ring
