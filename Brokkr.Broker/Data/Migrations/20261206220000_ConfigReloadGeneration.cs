using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// A counter of configuration reloads across replicas: each reload's notice carries the next value, so a replica whose
/// listener was down when one was sent sees, once it listens again, that the counter moved past the last reload it
/// applied — and reloads then (<see cref="Configuration.ConfigReloadFanOut"/>).
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261206220000_ConfigReloadGeneration")]
public sealed class ConfigReloadGeneration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("CREATE SEQUENCE brokkr_config_reload_generation;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP SEQUENCE IF EXISTS brokkr_config_reload_generation;");
}
