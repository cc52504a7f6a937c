//! Pub/Sub commands run on an ordinary connection (publishing and introspection).
//! Subscribing needs a dedicated connection: see [`PubSub`](crate::blocking::PubSub).
//! <https://redis.io/commands/?group=pubsub>

macro_rules! pubsub_commands {
    ($surface:ident) => {
        $surface! {
            /// Publishes `message` to `channel`; the number of clients that received it.
            /// <https://redis.io/commands/publish>
            "PUBLISH" publish(channel: impl ToArgs, message: impl ToArgs) -> i64 =
                [channel, message]; flags(ADMIN);

            /// Publishes `message` to the shard channel `channel` (Redis 7); the number of
            /// clients that received it. <https://redis.io/commands/spublish>
            "SPUBLISH" spublish(shard_channel: impl ToArgs, message: impl ToArgs) -> i64 =
                [shard_channel, message]; keys(1, 1, 1) flags();

            /// Active channels matching `pattern` (`"*"` for all).
            /// <https://redis.io/commands/pubsub-channels>
            "PUBSUB CHANNELS" pubsub_channels<T>(pattern: impl ToArgs) -> T = [pattern];
                flags(ADMIN) route(DefaultNode, Concat);

            /// Subscriber counts of `channels`, as channel → count pairs.
            /// <https://redis.io/commands/pubsub-numsub>
            "PUBSUB NUMSUB" pubsub_numsub<T>(channels: impl ToArgs) -> T = [channels];
                flags(ADMIN) reply(Pairs) route(DefaultNode, SumPerChannel);

            /// Number of pattern subscriptions (over all clients).
            /// <https://redis.io/commands/pubsub-numpat>
            "PUBSUB NUMPAT" pubsub_numpat() -> i64 = []; flags(ADMIN) route(DefaultNode, Sum);

            /// Active shard channels matching `pattern` (`"*"` for all).
            /// <https://redis.io/commands/pubsub-shardchannels>
            "PUBSUB SHARDCHANNELS" pubsub_shardchannels<T>(pattern: impl ToArgs) -> T = [pattern];
                flags(ADMIN) route(DefaultNode, Concat);

            /// Subscriber counts of shard `channels`, as channel → count pairs.
            /// <https://redis.io/commands/pubsub-shardnumsub>
            "PUBSUB SHARDNUMSUB" pubsub_shardnumsub<T>(channels: impl ToArgs) -> T = [channels];
                flags(ADMIN) reply(Pairs) route(DefaultNode, SumPerChannel);

            /// PUBSUB's help text. <https://redis.io/commands/pubsub-help>
            "PUBSUB HELP" pubsub_help<T>() -> T = []; flags(ADMIN);
        }
    };
}
