//! Per-client reply callbacks (redis-py's `set_response_callback`): a conversion the client
//! applies to one command's reply before it reaches the caller's type.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use crate::{Cmd, Result, Value};

/// A reply conversion: takes the command's normalised reply, returns the value the caller's
/// type is then converted from (or an error for the caller).
pub type ResponseCallback = Arc<dyn Fn(Value) -> Result<Value> + Send + Sync>;

/// The callbacks of one client, by command name (`GET`, `CONFIG GET`, `JSON.GET`...).
#[derive(Default)]
pub(crate) struct Callbacks {
    /// Whether any callback is set, so commands skip the lookup (and the name's allocation)
    /// when none is.
    any: AtomicBool,
    by_name: RwLock<HashMap<String, ResponseCallback>>,
}

impl std::fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self
            .by_name
            .read()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        f.debug_struct("Callbacks")
            .field("commands", &names)
            .finish()
    }
}

impl Callbacks {
    /// Sets (or with `None` removes) the callback of `command`, matched case-insensitively.
    pub(crate) fn set(&self, command: &str, callback: Option<ResponseCallback>) {
        let mut map = self.by_name.write().unwrap_or_else(|e| e.into_inner());
        let name = command.to_ascii_uppercase();
        match callback {
            Some(cb) => {
                map.insert(name, cb);
            }
            None => {
                map.remove(&name);
            }
        }
        self.any.store(!map.is_empty(), Ordering::Release);
    }

    /// Applies the callbacks to a pipeline's results, one per command (errors pass through; a
    /// callback's error takes the result's place).
    pub(crate) fn apply_batch(
        &self,
        cmds: &[Cmd],
        results: Vec<Result<Value>>,
    ) -> Vec<Result<Value>> {
        if !self.any.load(Ordering::Acquire) || cmds.len() != results.len() {
            return results;
        }
        cmds.iter()
            .zip(results)
            .map(|(cmd, r)| match (r, self.for_cmd(cmd)) {
                (Ok(v), Some(cb)) => cb(v),
                (r, _) => r,
            })
            .collect()
    }

    /// The callback for `cmd`, if one is set for its name.
    #[inline]
    pub(crate) fn for_cmd(&self, cmd: &Cmd) -> Option<ResponseCallback> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        self.lookup(cmd)
    }

    /// [`for_cmd`](Self::for_cmd) once some callback is set.
    fn lookup(&self, cmd: &Cmd) -> Option<ResponseCallback> {
        let map = self.by_name.read().unwrap_or_else(|e| e.into_inner());
        map.get(&cmd.name()).cloned()
    }
}
