using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SlaRollup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SlaHours",
                columns: table => new
                {
                    Hour = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Department = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Priority = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Tickets = table.Column<int>(type: "INTEGER", nullable: false),
                    Responded = table.Column<int>(type: "INTEGER", nullable: false),
                    WithinTarget = table.Column<int>(type: "INTEGER", nullable: false),
                    Unanswered = table.Column<int>(type: "INTEGER", nullable: false),
                    LatestDue = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ResponseTenths = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaHours", x => new { x.Hour, x.Department, x.Priority, x.Channel });
                });

            migrationBuilder.CreateTable(
                name: "SlaRollup",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    CoveredFrom = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CoveredTo = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Watermark = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RolledAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaRollup", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_UpdatedAt_CreatedAt",
                table: "Tickets",
                columns: new[] { "UpdatedAt", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SlaHours");

            migrationBuilder.DropTable(
                name: "SlaRollup");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_UpdatedAt_CreatedAt",
                table: "Tickets");
        }
    }
}
