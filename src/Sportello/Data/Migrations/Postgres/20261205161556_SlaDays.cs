using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SlaDays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SlaDays",
                columns: table => new
                {
                    Day = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Department = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Priority = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Channel = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Tickets = table.Column<int>(type: "integer", nullable: false),
                    Responded = table.Column<int>(type: "integer", nullable: false),
                    WithinTarget = table.Column<int>(type: "integer", nullable: false),
                    Unanswered = table.Column<int>(type: "integer", nullable: false),
                    LatestDue = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ResponseHistogram = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaDays", x => new { x.Day, x.Department, x.Priority, x.Channel });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SlaDays");
        }
    }
}
