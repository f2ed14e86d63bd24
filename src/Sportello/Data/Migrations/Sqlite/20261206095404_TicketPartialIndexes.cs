using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TicketPartialIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_InvoiceId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_MergedIntoId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_NoticeId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_OrderId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt_Id",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_SourceChatId",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_InvoiceId",
                table: "Tickets",
                column: "InvoiceId",
                filter: "\"InvoiceId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_MergedIntoId",
                table: "Tickets",
                column: "MergedIntoId",
                filter: "\"MergedIntoId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_NoticeId",
                table: "Tickets",
                column: "NoticeId",
                filter: "\"NoticeId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_OrderId",
                table: "Tickets",
                column: "OrderId",
                filter: "\"OrderId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt_Id",
                table: "Tickets",
                columns: new[] { "QueueRank", "DueAt", "CreatedAt", "Id" },
                filter: "\"QueueRank\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_SourceChatId",
                table: "Tickets",
                column: "SourceChatId",
                unique: true,
                filter: "\"SourceChatId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_InvoiceId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_MergedIntoId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_NoticeId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_OrderId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt_Id",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_SourceChatId",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_InvoiceId",
                table: "Tickets",
                column: "InvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_MergedIntoId",
                table: "Tickets",
                column: "MergedIntoId");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_NoticeId",
                table: "Tickets",
                column: "NoticeId");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_OrderId",
                table: "Tickets",
                column: "OrderId");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt_Id",
                table: "Tickets",
                columns: new[] { "QueueRank", "DueAt", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_SourceChatId",
                table: "Tickets",
                column: "SourceChatId",
                unique: true);
        }
    }
}
