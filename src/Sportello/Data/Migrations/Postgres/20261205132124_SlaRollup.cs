using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
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
                    Hour = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Department = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Priority = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Channel = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Tickets = table.Column<int>(type: "integer", nullable: false),
                    Responded = table.Column<int>(type: "integer", nullable: false),
                    WithinTarget = table.Column<int>(type: "integer", nullable: false),
                    Unanswered = table.Column<int>(type: "integer", nullable: false),
                    LatestDue = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ResponseTenths = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaHours", x => new { x.Hour, x.Department, x.Priority, x.Channel });
                });

            migrationBuilder.CreateTable(
                name: "SlaRollup",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    CoveredFrom = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CoveredTo = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Watermark = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RolledAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
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
