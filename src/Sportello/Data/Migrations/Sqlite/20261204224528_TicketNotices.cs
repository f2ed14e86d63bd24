using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TicketNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "NoticeId",
                table: "Tickets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_NoticeId",
                table: "Tickets",
                column: "NoticeId");

            migrationBuilder.AddForeignKey(
                name: "FK_Tickets_Notices_NoticeId",
                table: "Tickets",
                column: "NoticeId",
                principalTable: "Notices",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Tickets_Notices_NoticeId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_NoticeId",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "NoticeId",
                table: "Tickets");
        }
    }
}
