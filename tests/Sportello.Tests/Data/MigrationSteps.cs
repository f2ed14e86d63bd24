using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Sportello.Data;

namespace Sportello.Tests.Data;

/// <summary>An installation as it was before one migration, for the tests of what that migration does to existing rows.</summary>
internal static class MigrationSteps
{
    /// <summary>Migrates down to the migration before the one named (its name after the timestamp): that one and the later ones undone.</summary>
    public static async Task UndoAsync(SportelloDb db, string migration, CancellationToken cancellationToken)
    {
        var migrations = db.Database.GetMigrations().ToList();
        var index = migrations.FindIndex(m => m.EndsWith("_" + migration, StringComparison.Ordinal));
        Assert.True(index > 0, $"no migration {migration} after the first");
        await db.GetService<IMigrator>().MigrateAsync(migrations[index - 1], cancellationToken);
    }

    /// <summary>The upgrade: every migration applied again.</summary>
    public static Task UpgradeAsync(SportelloDb db, CancellationToken cancellationToken) =>
        db.GetService<IMigrator>().MigrateAsync(cancellationToken: cancellationToken);
}
