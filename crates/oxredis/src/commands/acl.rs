//! ACL commands. <https://redis.io/commands/?group=server>

macro_rules! acl_commands {
    ($surface:ident) => {
        $surface! {
            /// ACL categories, or the commands of one category. <https://redis.io/commands/acl-cat>
            "ACL CAT" acl_cat<T>(category: Option<&str>) -> T = [category]; flags(ADMIN) route(DefaultNode);

            /// Deletes users; how many. <https://redis.io/commands/acl-deluser>
            "ACL DELUSER" acl_deluser(usernames: impl ToArgs) -> i64 = [usernames]; flags(ADMIN) route(DefaultNode);

            /// Whether `username` may run a command: `OK` or the reason it may not.
            /// <https://redis.io/commands/acl-dryrun>
            "ACL DRYRUN" acl_dryrun<T>(username: impl ToArgs, command: impl ToArgs) -> T =
                [username, command]; flags(ADMIN) route(DefaultNode);

            /// A random password of `bits` (default 256). <https://redis.io/commands/acl-genpass>
            "ACL GENPASS" acl_genpass(bits: Option<u32>) -> String = [bits]; flags(ADMIN) route(DefaultNode);

            /// A user's rules as a map (flags, passwords, commands, keys, channels, selectors);
            /// nil for an unknown user. <https://redis.io/commands/acl-getuser>
            "ACL GETUSER" acl_getuser<T>(username: impl ToArgs) -> T = [username];
                flags(ADMIN) reply(Deep(ACL_USER)) route(DefaultNode);

            /// Every user's rules in ACL file syntax. <https://redis.io/commands/acl-list>
            "ACL LIST" acl_list<T>() -> T = []; flags(ADMIN) route(DefaultNode);

            /// Reloads the ACL file. <https://redis.io/commands/acl-load>
            "ACL LOAD" acl_load() -> bool = []; flags(ADMIN) reply(OkBool) route(DefaultNode);

            /// Recent ACL failures, one map each (`RESET` clears them). <https://redis.io/commands/acl-log>
            "ACL LOG" acl_log<T>(count: Option<i64>) -> T = [count]; flags(ADMIN) reply(MapList) route(DefaultNode);

            /// Clears the ACL log. <https://redis.io/commands/acl-log>
            "ACL LOG" acl_log_reset() -> bool = ["RESET"]; flags(ADMIN) reply(OkBool) route(DefaultNode);

            /// Saves the ACL file. <https://redis.io/commands/acl-save>
            "ACL SAVE" acl_save() -> bool = []; flags(ADMIN) reply(OkBool) route(DefaultNode);

            /// Creates or modifies a user with ACL `rules` (`on`, `>pass`, `~key*`, `+@all`...).
            /// <https://redis.io/commands/acl-setuser>
            "ACL SETUSER" acl_setuser(username: impl ToArgs, rules: impl ToArgs) -> bool =
                [username, rules]; flags(ADMIN) reply(OkBool) route(DefaultNode);

            /// User names. <https://redis.io/commands/acl-users>
            "ACL USERS" acl_users<T>() -> T = []; flags(ADMIN) route(DefaultNode);

            /// This connection's user name. <https://redis.io/commands/acl-whoami>
            "ACL WHOAMI" acl_whoami<T>() -> T = []; flags(ADMIN) route(DefaultNode);

            /// ACL's help text. <https://redis.io/commands/acl-help>
            "ACL HELP" acl_help<T>() -> T = []; flags(ADMIN) route(DefaultNode);
        }
    };
}
