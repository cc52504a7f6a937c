//! Test support for oxredis: real redis-server topologies and a fault-injecting TCP proxy.
