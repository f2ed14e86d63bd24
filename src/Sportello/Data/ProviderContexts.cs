using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Sportello.Data;

/// <summary>The model on SQLite; migrations in Data/Migrations/Sqlite.</summary>
public sealed class SqliteSportelloDb(DbContextOptions<SqliteSportelloDb> options) : SportelloDb(options);

/// <summary>The model on PostgreSQL; migrations in Data/Migrations/Postgres.</summary>
public sealed class PostgresSportelloDb(DbContextOptions<PostgresSportelloDb> options) : SportelloDb(options);

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSportelloDb>
{
    public SqliteSportelloDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSportelloDb>()
            .UseSqlite("Data Source=design-time.db", DatabaseFeature.SqliteOptions).Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresSportelloDb>
{
    public PostgresSportelloDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSportelloDb>()
            .UseNpgsql("Host=localhost;Database=sportello_design", DatabaseFeature.NpgsqlOptions).Options);
}
