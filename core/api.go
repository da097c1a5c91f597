package core

// This file is the contract between the simulated store and everything that
// drives or draws it (render, cmd/sim, check). Change it with care: the front
// end, the headless runner and the replay format all depend on these names.

import "github.com/ringlab/ringlab/core/ids"

// NodeID re-exports ids.NodeID so callers need one import.
type NodeID = ids.NodeID

// NoNode stands for "no node".
const NoNode = ids.None

// RequestID names one client request (a put or a get) for its whole life:
// every message and event it causes carries it. Zero means "no request".
type RequestID uint64

// Mode is the CAP choice made when replicas cannot be reached.
type Mode uint8

const (
	// Strict (CP): only the key's own N replicas count; a request that
	// cannot gather W acks or R replies before its timeout fails.
	Strict Mode = iota
	// Sloppy (AP): unreachable replicas are replaced by the next healthy
	// nodes on the ring, which keep the write with a hint (hinted handoff).
	Sloppy
)

// Versioning selects how concurrent writes are told apart.
type Versioning uint8

const (
	// VectorClocks keeps concurrent versions as siblings.
	VectorClocks Versioning = iota
	// LWW keeps the version with the larger (skewed) wall-clock timestamp.
	LWW
)

// CommandKind names a user or script action. The string values are part of
// the replay and URL formats.
type CommandKind string

const (
	CmdPut         CommandKind = "put"         // Node coordinates a put of Key=Value for Client
	CmdGet         CommandKind = "get"         // Node coordinates a get of Key for Client
	CmdCrash       CommandKind = "crash"       // Node loses its in-memory state and stops
	CmdRestart     CommandKind = "restart"     // Node comes back with its durable storage
	CmdPartition   CommandKind = "partition"   // Groups: messages across groups are dropped
	CmdHeal        CommandKind = "heal"        // remove every partition
	CmdJoin        CommandKind = "join"        // a new node joins (Weight); it gets the next free NodeID
	CmdLeave       CommandKind = "leave"       // Node leaves the ring for good (announced by gossip)
	CmdSet         CommandKind = "set"         // Param=Value: "loss", "latency_min", "latency_max", "skew:nK", "n", "w", "r", "mode", "versioning"
	CmdAntiEntropy CommandKind = "antientropy" // Node starts one Merkle exchange now (with Peer if set)
)

// Command is one action applied to the cluster. Zero fields mean "default".
type Command struct {
	Kind   CommandKind `json:"kind"`
	Node   NodeID      `json:"node,omitempty"`
	Peer   NodeID      `json:"peer,omitempty"`
	Client int         `json:"client,omitempty"`
	Key    string      `json:"key,omitempty"`
	Value  string      `json:"value,omitempty"`
	// WithContext makes a put carry the vector-clock context of the
	// client's last get of Key, so it supersedes the siblings it saw.
	WithContext bool       `json:"ctx,omitempty"`
	N           int        `json:"n,omitempty"` // per-request overrides of the cluster default
	W           int        `json:"w,omitempty"`
	R           int        `json:"r,omitempty"`
	Groups      [][]NodeID `json:"groups,omitempty"`
	Weight      float64    `json:"weight,omitempty"`
	Param       string     `json:"param,omitempty"`
	Num         float64    `json:"num,omitempty"`
}

// Recorded is a command with the tick it was applied at; a replay is
// Config + []Recorded.
type Recorded struct {
	Tick int64   `json:"tick"`
	Cmd  Command `json:"cmd"`
}
