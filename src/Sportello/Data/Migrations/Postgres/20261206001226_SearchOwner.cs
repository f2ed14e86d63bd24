using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
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
                type: "uuid",
                nullable: true);

            // The documents that exist get their owner from their ticket or chat, before the index is built over them.
            migrationBuilder.Sql("""
                UPDATE "SearchDocuments" AS d SET "OwnerId" = t."CustomerId" FROM "Tickets" AS t
                WHERE d."Kind" = 'ticket' AND d."TargetId" = t."Id" AND t."CustomerId" IS NOT NULL;
                UPDATE "SearchDocuments" AS d SET "OwnerId" = c."CustomerId" FROM "ChatConversations" AS c
                WHERE d."Kind" = 'chat' AND d."TargetId" = c."Id" AND c."CustomerId" IS NOT NULL;
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
            migrationBuilder.DropIndex(
                name: "IX_SearchDocuments_OwnerId_Kind_Id",
                table: "SearchDocuments");

            migrationBuilder.DropColumn(
                name: "OwnerId",
                table: "SearchDocuments");
        }
    }
}
