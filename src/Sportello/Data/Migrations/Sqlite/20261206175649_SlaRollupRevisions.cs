using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SlaRollupRevisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "Revision",
                table: "SlaHours",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "Revision",
                table: "SlaDays",
                type: "TEXT",
                nullable: true);

            // The rows counted before were each written whole by one roll-up and are never changed after, like the ones
            // counted from now on: one revision for all of them lets a node keep them parsed too. A node of the version
            // before, still rolling up during a rolling upgrade, writes rows with none, which are read every time.
            migrationBuilder.Sql("UPDATE \"SlaHours\" SET \"Revision\" = '5B1E0D3A-7C2F-4E8B-9A41-2D6F0C8E7B13';");
            migrationBuilder.Sql("UPDATE \"SlaDays\" SET \"Revision\" = '5B1E0D3A-7C2F-4E8B-9A41-2D6F0C8E7B13';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Revision",
                table: "SlaHours");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "SlaDays");
        }
    }
}
