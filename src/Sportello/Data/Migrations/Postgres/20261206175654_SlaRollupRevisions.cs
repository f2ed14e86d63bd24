using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
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
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "Revision",
                table: "SlaDays",
                type: "uuid",
                nullable: true);

            // The rows counted before were each written whole by one roll-up and are never changed after, like the ones
            // counted from now on: one revision for all of them lets a node keep them parsed too. A node of the version
            // before, still rolling up during a rolling upgrade, writes rows with none, which are read every time.
            migrationBuilder.Sql("UPDATE \"SlaHours\" SET \"Revision\" = '5b1e0d3a-7c2f-4e8b-9a41-2d6f0c8e7b13';");
            migrationBuilder.Sql("UPDATE \"SlaDays\" SET \"Revision\" = '5b1e0d3a-7c2f-4e8b-9a41-2d6f0c8e7b13';");
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
