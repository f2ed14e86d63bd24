using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchOwner : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "OwnerId",
                table: "SearchDocuments",
                type: "TEXT",
                nullable: true);

            // The documents that exist get their owner from their ticket or chat, before the index is built over them.
            migrationBuilder.Sql("""
                UPDATE "SearchDocuments" SET "OwnerId" = (SELECT t."CustomerId" FROM "Tickets" AS t WHERE t."Id" = "SearchDocuments"."TargetId")
                WHERE "Kind" = 'ticket';
                UPDATE "SearchDocuments" SET "OwnerId" = (SELECT c."CustomerId" FROM "ChatConversations" AS c WHERE c."Id" = "SearchDocuments"."TargetId")
                WHERE "Kind" = 'chat';
                """);

            migrationBuilder.CreateIndex(
                name: "IX_SearchDocuments_OwnerId_Kind_Id",
                table: "SearchDocuments",
                columns: new[] { "OwnerId", "Kind", "Id" },
                filter: "\"OwnerId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // SQLite drops the column in place: EF's table rebuild would lose the trigger that keeps SearchText in step.
            migrationBuilder.Sql("""DROP INDEX "IX_SearchDocuments_OwnerId_Kind_Id"; ALTER TABLE "SearchDocuments" DROP COLUMN "OwnerId";""");
        }
    }
}
