//! Calls of the hyperloglog group's methods, each with the reply it must give.

use super::*;

pub(crate) fn hyperloglog(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.pfadd("h1", ["a", "b", "c"]));
    l!(log, r.pfadd("h1", ["a"]));
    l!(log, r.pfadd("h2", ["c", "d"]));
    l!(log, r.pfcount(["h1"]));
    l!(log, r.pfcount(["h1", "h2"]));
    l!(log, r.pfmerge("h3", ["h1", "h2"]));
    l!(log, r.pfcount(["h3"]));
    l!(log, r.pfdebug::<String>("ENCODING", "h3"));
    l!(
        log,
        r.pfdebug::<Vec<i64>>("GETREG", "h1").map(|regs| regs.len())
    );
    l!(log, r.pfselftest());
    log
}
