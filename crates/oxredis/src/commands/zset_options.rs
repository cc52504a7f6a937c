//! Option builders of sorted set commands.

use crate::cmd::{Cmd, Flag, ToArgs};
use crate::reply::ReplyShape;

use super::options::Limit;

/// Options of [ZADD](https://redis.io/commands/zadd) (redis-py's `nx, xx, gt, lt, ch, incr`).
///
/// # Examples
/// ```
/// use oxredis::commands::options::ZaddOptions;
/// let opts = ZaddOptions::default().xx().gt().ch();
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZaddOptions {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

impl ZaddOptions {
    /// Only add new members (`NX`).
    pub fn nx(mut self) -> Self {
        self.nx = true;
        self
    }
    /// Only update existing members (`XX`).
    pub fn xx(mut self) -> Self {
        self.xx = true;
        self
    }
    /// Only update when the new score is greater (`GT`).
    pub fn gt(mut self) -> Self {
        self.gt = true;
        self
    }
    /// Only update when the new score is less (`LT`).
    pub fn lt(mut self) -> Self {
        self.lt = true;
        self
    }
    /// Count changed members, not only added ones (`CH`).
    pub fn ch(mut self) -> Self {
        self.ch = true;
        self
    }
    /// Increment like ZINCRBY (one member); the reply is the new score or nil (`INCR`).
    pub fn incr(mut self) -> Self {
        self.incr = true;
        self
    }
}

impl ToArgs for ZaddOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("NX", self.nx))
            .arg(Flag("XX", self.xx))
            .arg(Flag("GT", self.gt))
            .arg(Flag("LT", self.lt))
            .arg(Flag("CH", self.ch))
            .arg(Flag("INCR", self.incr));
        if self.incr {
            cmd.set_reply_shape(ReplyShape::Double);
        }
    }
}

/// Options of [ZRANGE](https://redis.io/commands/zrange) and ZRANGESTORE.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZRangeOptions {
    by: Option<&'static str>,
    rev: bool,
    limit: Option<Limit>,
    withscores: bool,
}

impl ZRangeOptions {
    /// `start`/`stop` are scores (`BYSCORE`).
    pub fn byscore(mut self) -> Self {
        self.by = Some("BYSCORE");
        self
    }
    /// `start`/`stop` are lexicographic bounds (`BYLEX`).
    pub fn bylex(mut self) -> Self {
        self.by = Some("BYLEX");
        self
    }
    /// Highest first (`REV`).
    pub fn rev(mut self) -> Self {
        self.rev = true;
        self
    }
    /// `LIMIT offset count` (with BYSCORE/BYLEX).
    pub fn limit(mut self, offset: i64, count: i64) -> Self {
        self.limit = Some(Limit(offset, count));
        self
    }
    /// `(member, score)` pairs (`WITHSCORES`, ZRANGE only).
    pub fn withscores(mut self) -> Self {
        self.withscores = true;
        self
    }
}

impl ToArgs for ZRangeOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(self.by)
            .arg(Flag("REV", self.rev))
            .arg(self.limit)
            .arg(Flag("WITHSCORES", self.withscores));
        if self.withscores {
            cmd.set_reply_shape(ReplyShape::ScoredPairs);
        }
    }
}

/// Options of [ZUNION](https://redis.io/commands/zunion), ZINTER and their STORE forms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZAggregateOptions {
    weights: Vec<f64>,
    aggregate: Option<&'static str>,
    withscores: bool,
}

impl ZAggregateOptions {
    /// Multiply each input's scores (`WEIGHTS`).
    pub fn weights(mut self, weights: &[f64]) -> Self {
        self.weights = weights.to_vec();
        self
    }
    /// `AGGREGATE SUM`.
    pub fn sum(mut self) -> Self {
        self.aggregate = Some("SUM");
        self
    }
    /// `AGGREGATE MIN`.
    pub fn min(mut self) -> Self {
        self.aggregate = Some("MIN");
        self
    }
    /// `AGGREGATE MAX`.
    pub fn max(mut self) -> Self {
        self.aggregate = Some("MAX");
        self
    }
    /// `(member, score)` pairs (`WITHSCORES`; not for the STORE forms).
    pub fn withscores(mut self) -> Self {
        self.withscores = true;
        self
    }
}

impl ToArgs for ZAggregateOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if !self.weights.is_empty() {
            cmd.arg("WEIGHTS").arg(&self.weights);
        }
        if let Some(a) = self.aggregate {
            cmd.arg("AGGREGATE").arg(a);
        }
        cmd.arg(Flag("WITHSCORES", self.withscores));
        if self.withscores {
            cmd.set_reply_shape(ReplyShape::ScoredPairs);
        }
    }
}

/// `WITHSCORES` when true, and then the reply is normalised to `(member, score)` pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithScores(pub bool);

impl ToArgs for WithScores {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.0 {
            cmd.arg("WITHSCORES");
            cmd.set_reply_shape(ReplyShape::ScoredPairs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words `options` adds to a command.
    fn words(options: &impl ToArgs) -> Vec<String> {
        let mut cmd = Cmd::new("Z");
        cmd.arg(options);
        cmd.args()
            .skip(1)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    /// SUM is the server's default aggregate, so only the words sent tell `sum()` from no
    /// choice at all.
    #[test]
    fn aggregate_options_send_their_words() {
        assert!(words(&ZAggregateOptions::default()).is_empty());
        assert_eq!(
            words(&ZAggregateOptions::default().sum()),
            ["AGGREGATE", "SUM"]
        );
        assert_eq!(
            words(
                &ZAggregateOptions::default()
                    .weights(&[2.0, 0.5])
                    .min()
                    .withscores()
            ),
            ["WEIGHTS", "2.0", "0.5", "AGGREGATE", "MIN", "WITHSCORES"]
        );
        assert_eq!(
            words(&ZAggregateOptions::default().max()),
            ["AGGREGATE", "MAX"]
        );
    }
}
