using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NoticeMailPass : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "MailedAt",
                table: "NoticeUpdates",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "MailedUpTo",
                table: "NoticeUpdates",
                type: "TEXT",
                nullable: true);

            // Until now a notice's mails were written with its inbox rows: what was delivered was mailed too, and an
            // update half-way resumes its mails after the same customer as its inbox rows.
            migrationBuilder.Sql("UPDATE \"NoticeUpdates\" SET \"MailedUpTo\" = \"DeliveredUpTo\", \"MailedAt\" = \"DeliveredAt\";");

            migrationBuilder.CreateIndex(
                name: "IX_NoticeUpdates_MailedAt",
                table: "NoticeUpdates",
                column: "MailedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_NoticeUpdates_MailedAt",
                table: "NoticeUpdates");

            migrationBuilder.DropColumn(
                name: "MailedAt",
                table: "NoticeUpdates");

            migrationBuilder.DropColumn(
                name: "MailedUpTo",
                table: "NoticeUpdates");
        }
    }
}
