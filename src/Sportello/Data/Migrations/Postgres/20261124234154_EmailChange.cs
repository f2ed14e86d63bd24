using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EmailChange : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EmailChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    NewEmail = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    OldTokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NewTokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    OldConfirmedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    NewConfirmedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EmailChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EmailChanges_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EmailChanges_NewTokenHash",
                table: "EmailChanges",
                column: "NewTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EmailChanges_OldTokenHash",
                table: "EmailChanges",
                column: "OldTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EmailChanges_UserId",
                table: "EmailChanges",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EmailChanges");
        }
    }
}
