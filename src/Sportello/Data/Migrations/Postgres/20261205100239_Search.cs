using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Search : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SearchDocuments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    TargetId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SearchDocuments", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SearchDocuments_Kind_TargetId",
                table: "SearchDocuments",
                columns: new[] { "Kind", "TargetId" },
                unique: true);

            // The words: tsvector columns written by SearchStore from words SearchText analyzed, each with a GIN index.
            // The marks ask the first start to index the tickets, ended chats, notices and abuse cases that exist (SearchBackfill).
            migrationBuilder.Sql("""
                ALTER TABLE "SearchDocuments" ADD "Public" tsvector NOT NULL DEFAULT ''::tsvector, ADD "Internal" tsvector NOT NULL DEFAULT ''::tsvector;
                CREATE INDEX "IX_SearchDocuments_Public" ON "SearchDocuments" USING GIN ("Public");
                CREATE INDEX "IX_SearchDocuments_Internal" ON "SearchDocuments" USING GIN ("Internal");
                INSERT INTO "SearchDocuments" ("Kind", "TargetId") VALUES ('backfill', '00000000-0000-0000-0000-000000000000'), ('backfill-c', '00000000-0000-0000-0000-000000000000'),
                    ('backfill-n', '00000000-0000-0000-0000-000000000000'), ('backfill-a', '00000000-0000-0000-0000-000000000000');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SearchDocuments");
        }
    }
}
