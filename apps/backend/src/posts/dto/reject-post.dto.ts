import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RejectPostDto {
  /** Shown on the post to its author. */
  @IsString()
  @IsNotEmpty({ message: 'reason must say why the post is rejected' })
  @MaxLength(1000)
  reason!: string;
}
