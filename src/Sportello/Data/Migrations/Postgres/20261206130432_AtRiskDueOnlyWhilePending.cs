using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AtRiskDueOnlyWhilePending : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // An at-risk mark made (or a breach, which makes it) now clears the moment it was due at; the marks made
            // before clear theirs here. The monitor asks for "AtRiskAt" IS NULL too, so a node of the version before,
            // still marking during a rolling upgrade, is read right: its marks only keep a value it no longer needs.
            migrationBuilder.Sql("UPDATE \"Tickets\" SET \"AtRiskDueAt\" = NULL WHERE \"AtRiskDueAt\" IS NOT NULL AND \"AtRiskAt\" IS NOT NULL;");
            // The statistics the sweep is planned from, renewed now rather than at autovacuum's next pass (a second at 5,000,000).
            migrationBuilder.Sql("ANALYZE \"Tickets\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to restore: the version before reads a made mark by "AtRiskAt" alone.
        }
    }
}
