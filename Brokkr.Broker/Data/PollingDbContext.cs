using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Data;

/// <summary>
/// The store as the agents' poll sees it: target state (and its ETag query) and the heartbeat update. It maps the same
/// model as <see cref="BrokkrDbContext"/> but runs on its own connection pool whose statements Npgsql auto-prepares
/// (<see cref="Configuration.DatabaseConnection.ForPolling"/>), because planning those few statements afresh was most
/// of PostgreSQL's cost per poll.
/// <para>
/// Use it only for reads and single-statement updates outside any explicit transaction. Auto-prepare is unsafe on a
/// connection where a statement fails inside a transaction that is then rolled back (npgsql/npgsql#6391: the
/// statement's prepared twin is left corrupt), and the poll path never does that; the API's writes, which do, stay on
/// the main pool without auto-prepare.
/// </para>
/// </summary>
public sealed class PollingDbContext(DbContextOptions<PollingDbContext> options) : BrokkrDbContext(options);
