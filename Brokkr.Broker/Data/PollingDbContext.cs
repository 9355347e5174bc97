using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Data;

/// <summary>
/// The store as the agents' poll sees it. It maps the same model as <see cref="BrokkrDbContext"/> but runs on a
/// connection pool of its own whose statements Npgsql auto-prepares (<see cref="Configuration.DatabaseConnection.ForPolling"/>),
/// because planning the poll's few statements afresh was most of PostgreSQL's cost per poll. The target state's objects
/// are read through it; the poll's other statements run on the same pool as plain commands (<see cref="PollingCommands"/>).
/// <para>
/// Use it only for reads and single-statement updates outside any explicit transaction. Auto-prepare is unsafe on a
/// connection where a statement fails inside a transaction that is then rolled back (npgsql/npgsql#6391: the
/// statement's prepared twin is left corrupt), and the poll path never does that; the API's writes, which do, stay on
/// the main pool without auto-prepare.
/// </para>
/// </summary>
public sealed class PollingDbContext(DbContextOptions<PollingDbContext> options) : BrokkrDbContext(options);
