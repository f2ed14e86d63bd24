using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TicketSourceChat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "SourceChatId",
                table: "Tickets",
                type: "uuid",
                nullable: true);

            // Tickets escalated from a chat before this column existed learn their chat from the chat's own link.
            migrationBuilder.Sql("""
                UPDATE "Tickets" SET "SourceChatId" = (SELECT c."Id" FROM "ChatConversations" c WHERE c."TicketId" = "Tickets"."Id") WHERE EXISTS (SELECT 1 FROM "ChatConversations" c WHERE c."TicketId" = "Tickets"."Id");
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_SourceChatId",
                table: "Tickets",
                column: "SourceChatId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_SourceChatId",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "SourceChatId",
                table: "Tickets");
        }
    }
}
