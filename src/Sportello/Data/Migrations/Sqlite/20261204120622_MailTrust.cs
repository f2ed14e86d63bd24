using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MailTrust : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Trust",
                table: "TicketMessages",
                type: "TEXT",
                maxLength: 12,
                nullable: false,
                defaultValue: "verified");

            migrationBuilder.CreateTable(
                name: "MailTicketSlots",
                columns: table => new
                {
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WindowStart = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Slot = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MailTicketSlots", x => new { x.CustomerId, x.WindowStart, x.Slot });
                });

            // Mail stored before: automatic notes earned nothing, the customer's mail was as trusted as its ticket.
            migrationBuilder.Sql("""
                UPDATE "TicketMessages" SET "Trust" = 'unverified'
                WHERE "InboundMessageId" IS NOT NULL AND "AuthorKind" = 'system';
                UPDATE "TicketMessages" SET "Trust" = (SELECT t."Trust" FROM "Tickets" t WHERE t."Id" = "TicketMessages"."TicketId")
                WHERE "InboundMessageId" IS NOT NULL AND "AuthorKind" = 'customer';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MailTicketSlots");

            migrationBuilder.DropColumn(
                name: "Trust",
                table: "TicketMessages");
        }
    }
}
